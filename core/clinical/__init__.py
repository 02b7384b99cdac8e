"""Clinical vocabularies the desks pick from: diagnoses (ICD-10), investigations with their
reference ranges, and the visit templates shipped with Nadi. Read-only data, loaded on first use."""
