"""Customer-service SOP knowledge base: load, validate and render SOPs written as YAML.

The core (everything but :mod:`build_tools.plugin`) does not import MkDocs, so it can be
driven from the command line, from tests, or from another site generator.
"""
