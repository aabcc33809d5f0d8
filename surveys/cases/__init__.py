"""Follow-up cases: alert rules turn an unhappy answer into a case someone owns."""
