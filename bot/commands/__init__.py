"""The commands of `reviewbot` beyond serving, registered on the CLI by bot/cli.py."""
