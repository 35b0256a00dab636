"""Ringkasan (F5): the province's figures."""
