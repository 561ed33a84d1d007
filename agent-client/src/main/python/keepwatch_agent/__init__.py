"""Keepwatch remote agent.

Runs on a keepalived node for the length of one SSH session and speaks JSON lines on
stdin/stdout (see docs/protocol.md). Standard library only, Python 3.6 or newer.

    python3 keepwatch_agent.py serve [--config FILE] [options]

stdout carries protocol lines only; every log line goes to stderr.
"""
