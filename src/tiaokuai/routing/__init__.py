"""Chinese text routing: normalise, segment and classify free text into matters or categories (no Django)."""
