"""What the user sees, as pure data: the review sheet, the publication, the batch summary."""
