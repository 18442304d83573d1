"""The web layer of Samskab: one blueprint per audience, wired together by app.create_app()."""
