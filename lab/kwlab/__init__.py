"""The Keepwatch lab: real keepalived in network namespaces (see lab/README.md).

cli.py is the entry point of the lab/ commands; testbed.py is also imported by tests.
"""
