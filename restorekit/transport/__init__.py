"""Transport: the one HTTP session to Azure Resource Manager, and the long-running-operation protocol."""
