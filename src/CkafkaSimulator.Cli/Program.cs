// STUB: replaced by the simulator helper.
return 0;
