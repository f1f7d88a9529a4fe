"""A local Square API server (Connect v2) that behaves like a busy retail chain.

It is a development and test tool: the demo and the test suite start it as a subprocess
(``python -m square_sandbox``). Domain code never imports it.
"""
