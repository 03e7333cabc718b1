"""The pipeline that turns records into assessments: local (in-process, streaming) and Spark."""
