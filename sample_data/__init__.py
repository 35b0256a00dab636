"""Demo data of Pilar: fictitious people in real regions (rebuild with: python -m storage.sample.generate)."""
