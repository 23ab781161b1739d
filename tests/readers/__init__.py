"""Tests of the input readers (CSV, FHIR) and of format detection."""
