"""The money of a writing site's people: clients top up their wallets by card, writers ask for
payouts of what they earned and admins decide them (the shared ``wallet`` app keeps the ledger)."""
