-- Tributary demo source for SQL Server CDC: dbo.customers and dbo.orders as tributary.config.ts declares them,
-- change data capture enabled on the database and on both tables. Idempotent: running it again changes nothing.
--
-- Run it in the database Tributary will read (never master), as a sysadmin (sys.sp_cdc_enable_db needs it):
--   sqlcmd -S localhost,1433 -U sa -P "$MSSQL_SA_PASSWORD" -C -b -d tributary_demo -i scripts/mssql/setup-demo.sql
-- The capture job that fills the change tables is a SQL Server Agent job: the Agent must be running
-- (in the mcr.microsoft.com/mssql/server image: MSSQL_AGENT_ENABLED=true). Docs: docs/sqlserver-cdc.md.
SET NOCOUNT ON;
IF DB_NAME() IN (N'master', N'model', N'msdb', N'tempdb')
  THROW 50000, N'setup-demo.sql: run this in a user database, e.g. sqlcmd -d tributary_demo', 1;
GO

IF OBJECT_ID(N'dbo.customers', N'U') IS NULL
  CREATE TABLE dbo.customers (
    customer_id   bigint        NOT NULL CONSTRAINT pk_customers PRIMARY KEY,
    email         nvarchar(320) NULL,
    full_name     nvarchar(200) NULL,
    date_of_birth date          NULL,
    country       nvarchar(64)  NULL,
    created_at    datetime2(7)  NOT NULL CONSTRAINT df_customers_created_at DEFAULT SYSUTCDATETIME()
  );
GO

IF OBJECT_ID(N'dbo.orders', N'U') IS NULL
  CREATE TABLE dbo.orders (
    order_id     bigint        NOT NULL CONSTRAINT pk_orders PRIMARY KEY,
    customer_id  bigint        NOT NULL CONSTRAINT fk_orders_customers REFERENCES dbo.customers (customer_id),
    kit_barcode  nvarchar(32)  NULL,
    product_code nvarchar(32)  NULL,
    amount       decimal(10,2) NULL,
    status       nvarchar(16)  NOT NULL,
    ordered_at   datetime2(7)  NOT NULL,
    updated_at   datetime2(7)  NOT NULL
  );
GO

-- Creates the cdc schema, the cdc user and the metadata tables (cdc.change_tables, cdc.lsn_time_mapping, …).
IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE database_id = DB_ID() AND is_cdc_enabled = 1)
  EXEC sys.sp_cdc_enable_db;
GO

-- One capture instance per table (dbo_customers, dbo_orders); no gating role, all changes (no net changes).
IF NOT EXISTS (SELECT 1 FROM sys.tables WHERE object_id = OBJECT_ID(N'dbo.customers') AND is_tracked_by_cdc = 1)
  EXEC sys.sp_cdc_enable_table
    @source_schema = N'dbo',
    @source_name = N'customers',
    @role_name = NULL,
    @supports_net_changes = 0;
GO

IF NOT EXISTS (SELECT 1 FROM sys.tables WHERE object_id = OBJECT_ID(N'dbo.orders') AND is_tracked_by_cdc = 1)
  EXEC sys.sp_cdc_enable_table
    @source_schema = N'dbo',
    @source_name = N'orders',
    @role_name = NULL,
    @supports_net_changes = 0;
GO
