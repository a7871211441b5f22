"""Metrics files and reports, pure: what the platforms' analytics exports say, read into
values (``records``), and reports rendered to bytes (``report_csv``, ``report_pdf``).

Nothing here touches the database, the network or the clock; the services store, link and
query what these modules return (ADR 0029).
"""
