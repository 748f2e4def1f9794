"""The clerk's verbs: her overrules, whose a file is, her own corrections; each a record with why."""
