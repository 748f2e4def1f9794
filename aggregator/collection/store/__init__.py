"""The store: what a collection keeps (its folder, settings, roster, plan, ledger, archive)."""
