"""The skills taxonomy shared by resumes and jobs."""
