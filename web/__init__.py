"""The web pages (youth widget, responder console). Static files, shipped as package data."""
