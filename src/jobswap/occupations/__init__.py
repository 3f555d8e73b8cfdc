"""Occupations: free-text job titles mapped to O*NET-SOC, and which roles are equivalent."""
