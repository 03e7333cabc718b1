"""Threat-intelligence exchange: STIX 2.1, TAXII 2.1 and MISP, in and out.

* :mod:`~spycatcher.intel.stix_import`: validate and store partners' STIX 2.1 objects;
* :mod:`~spycatcher.intel.patterns`: STIX patterns parsed by the STIX grammar, compiled to data;
* :mod:`~spycatcher.intel.catalogue` and :mod:`~spycatcher.intel.matching`: indicators with their
  producer, actor and marking, matched against profiles;
* :mod:`~spycatcher.intel.stage`: the population stage that puts matches into each profile's
  context during a scan (the ``intel.*`` signals read them);
* :mod:`~spycatcher.intel.stix_export`: confirmed fakes and campaigns as STIX 2.1 bundles;
* :mod:`~spycatcher.intel.taxii_client` / :mod:`~spycatcher.intel.taxii_server`: TAXII 2.1 pull
  and a read-only collection;
* :mod:`~spycatcher.intel.misp`: MISP event JSON in and out;
* :mod:`~spycatcher.intel.markings`: TLP 1.0 / 2.0; TLP:RED never leaves.

The STIX, TAXII and MISP libraries are the optional ``intel`` extra; nothing on the scan path
imports them, so a scan works without them (it simply has no intelligence to match).
"""
