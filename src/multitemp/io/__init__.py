"""Files: NetCDF (xarray) results of ensembles."""

from multitemp.io.netcdf import result_dataset, write_dataset

__all__ = ["result_dataset", "write_dataset"]
