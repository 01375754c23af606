// placeholder: replaced by the agent sources
