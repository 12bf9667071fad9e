"""moto's server, plus the one Redshift Data API call paylake uses that moto 5.2 lacks:
BatchExecuteStatement.

This part is a fake, written because no real one runs on loopback: it records the batch's
statements (DescribeStatement shows them as SubStatements) and reports the batch STARTED on
the first DescribeStatement, FINISHED after, as Redshift does for a quick load. What the SQL
means is tested elsewhere (DuckDB runs the same load statements). Everything else is moto's.

Usage: python moto_server_plus.py -H 127.0.0.1 -p PORT
"""

import json
import sys
import time

from moto.redshiftdata.models import Statement
from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse
from moto.server import main

_described = set()


def batch_execute_statement(self):
    sqls = self._get_param("Sqls")
    if not sqls:
        return 400, {}, json.dumps({"__type": "ValidationException", "message": "Sqls is required"})
    statement = Statement(
        cluster_identifier=self._get_param("ClusterIdentifier"),
        database=self._get_param("Database"),
        db_user=self._get_param("DbUser"),
        query_parameters=None,
        query_string="; ".join(sqls),
        secret_arn=self._get_param("SecretArn"),
    )
    # The API's timestamps are epoch seconds (moto's own Statement writes ISO text).
    statement.created_at = statement.updated_at = time.time()
    statement.sub_statements = [
        {"Id": f"{statement.id}:{index + 1}", "QueryString": sql, "Status": "FINISHED"}
        for index, sql in enumerate(sqls)
    ]
    self.redshiftdata_backend.statements[statement.id] = statement
    return 200, {}, json.dumps(
        {
            "Id": statement.id,
            "CreatedAt": statement.created_at,
            "Database": statement.database,
            "WorkgroupName": self._get_param("WorkgroupName"),
        }
    )


_moto_describe = RedshiftDataAPIServiceResponse.describe_statement


def describe_statement(self):
    statement_id = self._get_param("Id")
    statement = self.redshiftdata_backend.statements.get(statement_id)
    if statement is not None and statement.sub_statements:
        if statement_id in _described:
            statement.status = "FINISHED"
        _described.add(statement_id)
    return _moto_describe(self)


RedshiftDataAPIServiceResponse.batch_execute_statement = batch_execute_statement
RedshiftDataAPIServiceResponse.describe_statement = describe_statement

if __name__ == "__main__":
    sys.exit(main())
