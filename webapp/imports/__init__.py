"""File Import: read an uploaded file, map its columns, clean and validate rows, stage and create users."""
