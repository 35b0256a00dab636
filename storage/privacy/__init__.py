"""Personal data under UU PDP 27/2022 (issue 27): the record of processing, requests with their
3x24-hour clock, restriction, erasure that travels, retention, incidents, the DPIA (``service``)."""
