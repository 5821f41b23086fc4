"""The catalog service, split into queries and commands: one service, two modules."""
