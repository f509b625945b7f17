"""The configuration layer: what to check, above the protocol model and below the verdicts.

``scenario.py`` (the ``Scenario`` record: procedure options, bounds, threat model, mutants,
declared verdicts), ``catalog.py`` (the named scenarios and the default set), ``threat_scenarios.py``
(the scenarios under threat models), ``scenario_file.py`` (a scenario described in a TOML file) and
``labels.py`` (scenario ids and option labels in words).
"""
