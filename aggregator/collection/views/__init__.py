"""The read model: where each school stands, worked out from the store when asked, never stored."""
