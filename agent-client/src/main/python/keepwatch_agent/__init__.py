"""Keepwatch remote agent.

Runs on a keepalived node for the length of one SSH session and speaks JSON lines on
stdin/stdout (see docs/protocol.md). Standard library only, Python 3.6 or newer.

    python3 keepwatch_agent.py serve [--config FILE] [options]

stdout carries protocol lines only; every log line goes to stderr.

Written as the modules of the package keepwatch_agent, one responsibility each, and shipped as the one file
assembled from them (assemble_agent.py, ADR 0006). subprocess and glob are imported where they are used: a
session that only watches never runs a command nor expands an include, and the two imports were ~3 ms of the
~30 ms an agent takes to start. Annotations are strings and typing is imported for type checkers only: importing
typing, logging, argparse, hashlib (OpenSSL) and friends at run time would cost ~9 MB of RSS on a node.
"""
