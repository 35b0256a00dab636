"""The privacy section (6): personal data under UU PDP: requests and incidents with their clocks."""
