"""Where scans live and what they must be: one module per external system (the local
filesystem here; SharePoint/OneDrive through Graph lives with the Graph adapters), plus the PDF
check every scan passes before anything is stored."""
