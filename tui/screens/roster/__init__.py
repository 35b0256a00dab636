"""The roster section (F1): the member table, the member's detail, the form, the import."""
