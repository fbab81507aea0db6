"""The learned decision: a linear model per event tag over hashed n-grams and the rules' cues."""
