"""Pure domain rules of 专家库: standard library and pydantic only (no streamlit, tinydb, docxtpl, pandas)."""
