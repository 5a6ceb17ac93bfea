"""The model: recovery points and backup jobs as typed objects over the API's resources."""
