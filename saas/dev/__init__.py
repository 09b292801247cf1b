"""Development and test tooling only (never imported by the application): the localstripe launcher."""
