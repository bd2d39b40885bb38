"""Getting an approved reply onto the review platform: one publisher per source."""
