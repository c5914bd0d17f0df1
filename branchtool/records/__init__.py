"""Domain records: each record type is described once (``RecordDef``) and that
description drives its form, validation, table columns, import headers and
catalog labels."""
