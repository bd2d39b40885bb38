"""Labelled model outputs: drafts as a model writes them, with the findings they must raise."""
