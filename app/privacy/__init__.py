"""Personal data under UU PDP 27/2022: subject access export and anonymisation of ASN who left."""
