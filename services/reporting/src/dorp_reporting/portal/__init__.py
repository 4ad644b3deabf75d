"""The staff portal: web pages served by reporting for municipal staff of one region.

``domain`` holds the rules, ``store`` the reporting-schema tables, ``use_cases`` what a page
or the schedule does, ``web`` the pages, ``schedule`` the periodic generation and
``wiring`` how the service mounts it all.
"""
