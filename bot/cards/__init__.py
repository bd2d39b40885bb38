"""The Slack side of a review: its card (posted through an outbox), history in the card's
thread, and who may decide."""
