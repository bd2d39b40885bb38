"""Scheduled work: each job is a plain function of (services, now); scheduler.py wires them."""
