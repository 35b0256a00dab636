"""The payouts section (F3): rates, the quarter's run, approval, payment, documents."""
