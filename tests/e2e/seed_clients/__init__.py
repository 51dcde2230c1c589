"""The seeds' own client examples, copied verbatim as text files (checked against the seeds by
test_seed_client_examples.py)."""
