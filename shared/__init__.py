"""Common package of newsalert: wire schemas, configuration, broker helpers."""
