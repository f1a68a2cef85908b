"""Lentera: self-paced e-learning for the ASN of the city of Palu."""
