"""Temporal activity worker that serves mirage_detector's train and evaluate on the GPU task queue."""
