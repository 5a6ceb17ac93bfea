"""Checking a request through a connection: the live estate, the service's verdict, the report of both."""
