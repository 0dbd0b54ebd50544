"""`juesuan serve`: the operations of the buttons as a local JSON service for the WPS add-in.

``config`` (where the per-install token lives), ``protocol`` (a request's sheets into an
``ops.open_book.OpenBook``, an ``Outcome`` into the response) and ``server`` (the HTTP
server on 127.0.0.1: token, origin, size cap). docs/wps.md has the threat model.

The add-in itself is package data, ``wps_addin/`` (its build script and Node tests are in the
repository's ``wps/``), so that every installed juesuan carries it; ``wps_install`` copies it
into WPS's jsaddons folder (``python -m juesuan.service.wps_install``).
"""
